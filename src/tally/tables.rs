//! The analysts' tables: code x attribute, interview x code, key mix, role continua, co-occurrence.

use super::accumulate::Tally;
use super::table::{Table, Values};
use super::tree::Level;
use std::sync::Arc;

/// The interviews that share one value of an attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub attribute: String,
    pub value: String,
    /// Indices into `Tally::docs`.
    pub docs: Vec<usize>,
}

/// Groups interviews by the attribute at `attr_index`, values in order of first appearance.
pub fn groups_of(tally: &Tally, attribute: &str, attr_index: usize) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for (i, d) in tally.docs.iter().enumerate() {
        let v = d
            .attrs
            .get(attr_index)
            .map(|v| v.to_string())
            .unwrap_or_default();
        match out.iter_mut().find(|g| g.value == v) {
            Some(g) => g.docs.push(i),
            None => out.push(Group {
                attribute: attribute.to_string(),
                value: v,
                docs: vec![i],
            }),
        }
    }
    out
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// Code (and family, sub-code) x group: units coded, % of the group's interviewee units,
/// interviews with the code, % of the group's interviews, codings (once per unit and
/// node, see [`super::accumulate::DocTally::codings`]), codings per 1,000 words.
pub fn code_by_attribute(tally: &Tally, groups: &[Group]) -> Table {
    let mut c = CodeByAttr::default();
    for g in groups {
        let units: u64 = g.docs.iter().map(|&d| tally.docs[d].units).sum();
        let words: u64 = g.docs.iter().map(|&d| tally.docs[d].words).sum();
        for (n, node) in tally.tree.nodes.iter().enumerate() {
            let hits: u64 = g
                .docs
                .iter()
                .map(|&d| tally.docs[d].unit_hits[n] as u64)
                .sum();
            let codings: u64 = g
                .docs
                .iter()
                .map(|&d| tally.codings(&tally.docs[d], n) as u64)
                .sum();
            let interviews = g
                .docs
                .iter()
                .filter(|&&d| tally.docs[d].unit_hits[n] > 0)
                .count();
            c.attribute.push(g.attribute.clone());
            c.group.push(g.value.clone());
            c.code.push(node.id.clone());
            c.level.push(level_name(node.level).into());
            c.family.push(node.family.clone());
            c.label_he.push(node.label_he.clone());
            c.label_en.push(node.label_en.clone());
            c.units.push(hits as i64);
            c.pct_units.push(ratio(100.0 * hits as f64, units as f64));
            c.interviews.push(interviews as i64);
            c.pct_interviews
                .push(ratio(100.0 * interviews as f64, g.docs.len() as f64));
            c.codings.push(codings as i64);
            c.per_1000
                .push(ratio(1000.0 * codings as f64, words as f64));
            c.group_units.push(units as i64);
            c.group_interviews.push(g.docs.len() as i64);
        }
    }
    Table::new("code_by_attribute")
        .str("attribute", c.attribute)
        .str("group", c.group)
        .str("code_id", c.code)
        .str("level", c.level)
        .str("family", c.family)
        .str("label_he", c.label_he)
        .str("label_en", c.label_en)
        .int("units", c.units)
        .float("pct_units", c.pct_units)
        .int("interviews", c.interviews)
        .float("pct_interviews", c.pct_interviews)
        .int("codings", c.codings)
        .float("codings_per_1000_words", c.per_1000)
        .int("group_units", c.group_units)
        .int("group_interviews", c.group_interviews)
}

#[derive(Default)]
struct CodeByAttr {
    attribute: Vec<String>,
    group: Vec<String>,
    code: Vec<String>,
    level: Vec<String>,
    family: Vec<String>,
    label_he: Vec<String>,
    label_en: Vec<String>,
    units: Vec<i64>,
    pct_units: Vec<Option<f64>>,
    interviews: Vec<i64>,
    pct_interviews: Vec<Option<f64>>,
    codings: Vec<i64>,
    per_1000: Vec<Option<f64>>,
    group_units: Vec<i64>,
    group_interviews: Vec<i64>,
}

/// The name of a tree level in tables.
pub fn level_name(l: Level) -> &'static str {
    match l {
        Level::Family => "family",
        Level::Code => "code",
        Level::SubCode => "subcode",
    }
}

/// Adds the columns that name each interview: its id, then its value of each of
/// `attributes` (empty when it has none), shared with the tally rather than copied.
pub fn push_interviews(t: &mut Table, tally: &Tally, attributes: &[String]) {
    t.push(
        "doc_id",
        Values::Shared(tally.docs.iter().map(|d| d.doc_id.clone()).collect()),
    );
    let none: Arc<str> = Arc::from("");
    for (a, name) in attributes.iter().enumerate() {
        t.push(
            name,
            Values::Shared(
                tally
                    .docs
                    .iter()
                    .map(|d| d.attrs.get(a).unwrap_or(&none).clone())
                    .collect(),
            ),
        );
    }
}

/// Interview x code: the number of interviewee units each interview has with each
/// family, code and sub-code (the QDA tools' code matrix), with its attributes.
pub fn interview_by_code(tally: &Tally, attributes: &[String]) -> Table {
    let mut t = Table::new("interview_by_code");
    push_interviews(&mut t, tally, attributes);
    t = t
        .int("units", tally.docs.iter().map(|d| d.units as i64).collect())
        .int("words", tally.docs.iter().map(|d| d.words as i64).collect());
    for (n, node) in tally.tree.nodes.iter().enumerate() {
        t = t.int(
            &node.id,
            tally.docs.iter().map(|d| d.unit_hits[n] as i64).collect(),
        );
    }
    t
}

/// Per interview, each code of `family` as a share of the interview's units coded
/// with any code of the family (missing when the interview has none).
pub fn mix_per_interview(tally: &Tally, family: &str) -> (Vec<usize>, Vec<Vec<Option<f64>>>) {
    let codes = tally.tree.codes_of_family(family);
    let shares = tally
        .docs
        .iter()
        .map(|d| {
            let total: u64 = codes.iter().map(|&c| d.unit_hits[c] as u64).sum();
            codes
                .iter()
                .map(|&c| ratio(d.unit_hits[c] as f64, total as f64))
                .collect()
        })
        .collect();
    (codes, shares)
}

/// A role continuum: two pole codes; an interview sits at (right - left) / (right + left).
#[derive(Debug, Clone, PartialEq)]
pub struct Continuum {
    pub left: usize,
    pub right: usize,
}

/// Per interview, its position in [-1, 1] on each continuum (missing when it has
/// neither pole).
pub fn continuum_positions(tally: &Tally, continua: &[Continuum]) -> Vec<Vec<Option<f64>>> {
    tally
        .docs
        .iter()
        .map(|d| {
            continua
                .iter()
                .map(|c| {
                    let (l, r) = (d.unit_hits[c.left] as f64, d.unit_hits[c.right] as f64);
                    ratio(r - l, r + l)
                })
                .collect()
        })
        .collect()
}

/// Pairs of codes coded together in one unit: counts and Jaccard index.
pub fn cooccurrence(tally: &Tally) -> Table {
    let m = tally.code_nodes.len();
    let (mut a_id, mut b_id) = (Vec::new(), Vec::new());
    let (mut ua, mut ub, mut both, mut jac) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..m {
        for j in i + 1..m {
            let (ni, nj) = (tally.cooc[i * m + i], tally.cooc[j * m + j]);
            let b = tally.cooc[i * m + j];
            a_id.push(tally.tree.nodes[tally.code_nodes[i]].id.clone());
            b_id.push(tally.tree.nodes[tally.code_nodes[j]].id.clone());
            ua.push(ni as i64);
            ub.push(nj as i64);
            both.push(b as i64);
            jac.push(ratio(b as f64, (ni + nj - b) as f64));
        }
    }
    Table::new("cooccurrence")
        .str("code_a", a_id)
        .str("code_b", b_id)
        .int("units_a", ua)
        .int("units_b", ub)
        .int("units_both", both)
        .float("jaccard", jac)
}

#[cfg(test)]
mod tests {
    use super::super::tree::tests::small_tree;
    use super::*;

    /// Three interviews, two sectors; codebook indices 0 goals.a, 1 keys.k1, 2 keys.k1.s, 3 keys.k2.
    fn tiny() -> Tally {
        let mut t = Tally::new(small_tree());
        t.begin_doc("A", &["public".into()]);
        t.add_unit(10, &[1]);
        t.add_unit(10, &[1, 2]);
        t.add_unit(20, &[0]);
        t.add_unit(10, &[]);
        t.begin_doc("B", &["business".into()]);
        t.add_unit(25, &[3]);
        t.add_unit(25, &[]);
        t.begin_doc("C", &["public".into()]);
        t.add_unit(50, &[0, 3]);
        t
    }

    fn col<'a>(t: &'a Table, name: &str) -> &'a super::super::table::Values {
        t.column(name).unwrap()
    }

    #[test]
    fn code_by_sector_by_hand() {
        let t = tiny();
        let g = groups_of(&t, "sector", 0);
        assert_eq!(
            g.iter()
                .map(|g| (g.value.as_str(), g.docs.clone()))
                .collect::<Vec<_>>(),
            vec![("public", vec![0, 2]), ("business", vec![1])]
        );
        let table = code_by_attribute(&t, &g);
        // 6 nodes x 2 groups.
        assert_eq!(table.rows(), 12);
        // public, keys.k1 (node 3): units A:2, C:0 -> 2 of 5 public units = 40%;
        // interviews 1 of 2 = 50%; codings: A has k1 alone and k1 + k1.s in one unit,
        // k1 counted once per unit -> 2; words 100 -> 20 per 1,000.
        let r = 3;
        assert_eq!(table.cell(2, r), "keys.k1");
        assert_eq!(table.cell(7, r), "2");
        assert_eq!(table.cell(8, r), "40.0000");
        assert_eq!(table.cell(9, r), "1");
        assert_eq!(table.cell(10, r), "50.0000");
        assert_eq!(table.cell(11, r), "2");
        assert_eq!(table.cell(12, r), "20.0000");
        // public, family keys (node 1): units A:2 + C:1 = 3 -> 60%; codings, one per
        // unit and code of the family: A 2, C 1 = 3 -> 30 per 1000.
        assert_eq!(
            (
                table.cell(7, 1),
                table.cell(8, 1),
                table.cell(11, 1),
                table.cell(12, 1)
            ),
            ("3".into(), "60.0000".into(), "3".into(), "30.0000".into())
        );
        // business, keys.k2 (row 6 + 5): 1 of 2 units = 50%, 1 of 1 interview, 1 per 50 words = 20.
        assert_eq!(
            (
                table.cell(7, 11),
                table.cell(8, 11),
                table.cell(10, 11),
                table.cell(12, 11)
            ),
            (
                "1".into(),
                "50.0000".into(),
                "100.0000".into(),
                "20.0000".into()
            )
        );
        assert_eq!(table.cell(13, 11), "2");
    }

    #[test]
    fn matrix_mix_continua_and_cooccurrence_by_hand() {
        let t = tiny();
        let m = interview_by_code(&t, &["sector".into()]);
        assert_eq!(
            m.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            vec![
                "doc_id",
                "sector",
                "units",
                "words",
                "goals",
                "keys",
                "goals.a",
                "keys.k1",
                "keys.k1.s",
                "keys.k2"
            ]
        );
        assert_eq!(
            *col(&m, "keys.k1"),
            super::super::table::Values::Int(vec![2, 0, 0])
        );
        assert_eq!(
            *col(&m, "words"),
            super::super::table::Values::Int(vec![50, 50, 50])
        );

        let (codes, shares) = mix_per_interview(&t, "keys");
        assert_eq!(codes, vec![3, 5]);
        assert_eq!(
            shares,
            vec![
                vec![Some(1.0), Some(0.0)],
                vec![Some(0.0), Some(1.0)],
                vec![Some(0.0), Some(1.0)]
            ]
        );

        let pos = continuum_positions(
            &t,
            &[
                Continuum { left: 3, right: 5 },
                Continuum { left: 2, right: 4 },
            ],
        );
        // A: k1=2, k2=0 -> -1; B: +1; C: +1. goals.a vs k1.s: A: 1 vs 1 -> 0; B none; C: 1 vs 0 -> -1.
        assert_eq!(
            pos,
            vec![
                vec![Some(-1.0), Some(0.0)],
                vec![Some(1.0), None],
                vec![Some(1.0), Some(-1.0)]
            ]
        );

        let c = cooccurrence(&t);
        // pairs: (goals.a,k1), (goals.a,k2), (k1,k2). goals.a: 2 units, k1: 2, k2: 2; a&k2 in C only.
        assert_eq!(
            *col(&c, "units_both"),
            super::super::table::Values::Int(vec![0, 1, 0])
        );
        assert_eq!(c.cell(5, 1), "0.3333");
    }
}
