//! The analysis of a tallied corpus: every table, the association tests and the group summaries.

use super::accumulate::Tally;
use super::stats::{self, ChiSquare, PermutationTest};
use super::table::Table;
use super::tables::{self, Continuum, Group};
use serde::Serialize;

/// A role continuum with its labels.
#[derive(Debug, Clone)]
pub struct ContinuumSpec {
    pub id: String,
    pub label_he: String,
    pub label_en: String,
    /// Tree nodes of the two poles (position -1 and +1).
    pub left: usize,
    pub right: usize,
}

/// What to analyse.
#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    /// Attributes to group by: (name, index among the manifest's attributes).
    pub by: Vec<(String, usize)>,
    /// The family whose codes make up the per-interview mix (the four keys).
    pub mix_family: Option<String>,
    pub continua: Vec<ContinuumSpec>,
    pub permutations: usize,
    pub seed: u64,
}

/// Groups with fewer interviews than this have an interval flagged as resting on few
/// interviews (its width is itself poorly estimated).
pub const FEW_INTERVIEWS: usize = 5;

/// The mean share of one code of the mix family in one group, with its 95% t interval
/// (none for a single interview).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MixSummary {
    pub attribute: String,
    pub group: String,
    pub code_id: String,
    /// Interviews of the group with at least one coding of the family.
    pub interviews: usize,
    pub mean: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// One association test: a family's codes by an attribute's groups.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyTest {
    pub family: String,
    pub attribute: String,
    pub groups: Vec<String>,
    pub codes: Vec<String>,
    /// Units coded, groups x codes.
    pub counts: Vec<Vec<f64>>,
    pub chi_square: ChiSquare,
    /// The interview-level test whose p-value the report leads with.
    pub permutation: PermutationTest,
}

/// Everything computed from a tally but its tables, which go to the caller's sink.
pub struct Analysis {
    pub tests: Vec<FamilyTest>,
    /// Groups of each `by` attribute, in the same order as `AnalysisOptions::by`.
    pub groups: Vec<Vec<Group>>,
    pub mix_codes: Vec<usize>,
    pub mix: Vec<MixSummary>,
    /// Per interview, per continuum.
    pub positions: Vec<Vec<Option<f64>>>,
}

/// Runs every analysis on `tally`, handing each table to `sink` as soon as it is
/// made (in the order code_by_attribute, interview_by_code, the mix and continua
/// tables, cooccurrence), so that tables with a row per interview are not all held
/// at once. The tests run first: their per-interview counts are gone before the
/// first table is made. The first error of `sink` stops the analysis.
pub fn analyse<E>(
    tally: &Tally,
    attributes: &[String],
    opts: &AnalysisOptions,
    mut sink: impl FnMut(Table) -> Result<(), E>,
) -> Result<Analysis, E> {
    let groups: Vec<Vec<Group>> = opts
        .by
        .iter()
        .map(|(name, i)| tables::groups_of(tally, name, *i))
        .collect();
    let families: Vec<(String, Vec<usize>)> = tally
        .tree
        .families()
        .into_iter()
        .map(|family| {
            let fam = tally.tree.nodes[family].id.clone();
            let codes = tally.tree.codes_of_family(&fam);
            (fam, codes)
        })
        .filter(|(_, codes)| !codes.is_empty())
        .collect();
    // One attribute's tests of every family share their shuffles; the tests are
    // listed family by family, attribute by attribute.
    let mut by_attribute: Vec<std::vec::IntoIter<FamilyTest>> = groups
        .iter()
        .map(|gs| family_tests(tally, &families, gs, opts).into_iter())
        .collect();
    let mut tests = Vec::new();
    for _ in &families {
        for t in by_attribute.iter_mut() {
            tests.extend(t.next());
        }
    }

    let all_groups: Vec<Group> = groups.iter().flatten().cloned().collect();
    sink(tables::code_by_attribute(tally, &all_groups))?;
    sink(tables::interview_by_code(tally, attributes))?;

    let (mix_codes, shares) = match &opts.mix_family {
        Some(f) => tables::mix_per_interview(tally, f),
        None => (Vec::new(), Vec::new()),
    };
    let mut mix = Vec::new();
    if !mix_codes.is_empty() {
        sink(per_interview_table(
            "key_mix_interviews",
            tally,
            attributes,
            &mix_codes
                .iter()
                .map(|&c| tally.tree.nodes[c].id.clone())
                .collect::<Vec<_>>(),
            &shares,
        ))?;
        for g in &all_groups {
            for (k, &code) in mix_codes.iter().enumerate() {
                let values: Vec<f64> = g.docs.iter().filter_map(|&d| shares[d][k]).collect();
                let (mean, lo, hi) = share_interval(&values);
                mix.push(MixSummary {
                    attribute: g.attribute.clone(),
                    group: g.value.clone(),
                    code_id: tally.tree.nodes[code].id.clone(),
                    interviews: values.len(),
                    mean,
                    ci_low: lo,
                    ci_high: hi,
                });
            }
        }
        sink(mix_table(&mix))?;
    }
    drop(shares);

    let continua: Vec<Continuum> = opts
        .continua
        .iter()
        .map(|c| Continuum {
            left: c.left,
            right: c.right,
        })
        .collect();
    let positions = tables::continuum_positions(tally, &continua);
    if !continua.is_empty() {
        sink(per_interview_table(
            "role_continua_interviews",
            tally,
            attributes,
            &opts
                .continua
                .iter()
                .map(|c| c.id.clone())
                .collect::<Vec<_>>(),
            &positions,
        ))?;
        sink(continua_groups(&all_groups, &opts.continua, &positions))?;
    }
    sink(tables::cooccurrence(tally))?;
    Ok(Analysis {
        tests,
        groups,
        mix_codes,
        mix,
        positions,
    })
}

/// Mean of interview shares with its 95% t interval clipped to [0, 1]; a single
/// interview has a mean and no interval, none has neither.
fn share_interval(values: &[f64]) -> (Option<f64>, Option<f64>, Option<f64>) {
    match stats::t_mean_ci(values, 0.95) {
        Some((m, l, h)) => (Some(m), Some(l.max(0.0)), Some(h.min(1.0))),
        None => (values.first().copied(), None, None),
    }
}

/// The association tests of `families` (id, codes) by one attribute, with one set
/// of shuffles; interviews without a value of the attribute are left out.
fn family_tests(
    tally: &Tally,
    families: &[(String, Vec<usize>)],
    groups: &[Group],
    opts: &AnalysisOptions,
) -> Vec<FamilyTest> {
    let used: Vec<&Group> = groups.iter().filter(|g| !g.value.is_empty()).collect();
    let mut labels = Vec::new();
    for (gi, g) in used.iter().enumerate() {
        labels.extend(g.docs.iter().map(|_| gi));
    }
    // Per family, its codes' counts of each interview, interview after interview.
    let per_doc: Vec<Vec<f64>> = families
        .iter()
        .map(|(_, codes)| {
            used.iter()
                .flat_map(|g| &g.docs)
                .flat_map(|&d| {
                    codes
                        .iter()
                        .map(move |&c| tally.docs[d].unit_hits[c] as f64)
                })
                .collect()
        })
        .collect();
    let tables: Vec<stats::RowMajor> = families
        .iter()
        .zip(&per_doc)
        .map(|((_, codes), values)| stats::RowMajor::new(labels.len(), codes.len(), values))
        .collect();
    let permutations =
        stats::permutation_chi_square_tables(&labels, &tables, opts.permutations, opts.seed);
    families
        .iter()
        .zip(permutations)
        .map(|((family, codes), permutation)| {
            let counts: Vec<Vec<f64>> = used
                .iter()
                .map(|g| {
                    codes
                        .iter()
                        .map(|&c| {
                            g.docs
                                .iter()
                                .map(|&d| tally.docs[d].unit_hits[c] as f64)
                                .sum()
                        })
                        .collect()
                })
                .collect();
            FamilyTest {
                family: family.clone(),
                attribute: groups
                    .first()
                    .map(|g| g.attribute.clone())
                    .unwrap_or_default(),
                groups: used.iter().map(|g| g.value.clone()).collect(),
                codes: codes
                    .iter()
                    .map(|&c| tally.tree.nodes[c].id.clone())
                    .collect(),
                chi_square: stats::chi_square(&counts),
                permutation,
                counts,
            }
        })
        .collect()
}

/// A per-interview table: doc id, attributes, then one float column per name.
fn per_interview_table(
    name: &str,
    tally: &Tally,
    attributes: &[String],
    columns: &[String],
    values: &[Vec<Option<f64>>],
) -> Table {
    let mut t = Table::new(name);
    tables::push_interviews(&mut t, tally, attributes);
    for (k, c) in columns.iter().enumerate() {
        t = t.float(
            c,
            values.iter().map(|v| v.get(k).copied().flatten()).collect(),
        );
    }
    t
}

fn mix_table(mix: &[MixSummary]) -> Table {
    Table::new("key_mix_groups")
        .str(
            "attribute",
            mix.iter().map(|m| m.attribute.clone()).collect(),
        )
        .str("group", mix.iter().map(|m| m.group.clone()).collect())
        .str("code_id", mix.iter().map(|m| m.code_id.clone()).collect())
        .int(
            "interviews",
            mix.iter().map(|m| m.interviews as i64).collect(),
        )
        .float("mean_share", mix.iter().map(|m| m.mean).collect())
        .float("ci95_low", mix.iter().map(|m| m.ci_low).collect())
        .float("ci95_high", mix.iter().map(|m| m.ci_high).collect())
        .str(
            "few_interviews",
            mix.iter()
                .map(|m| few_flag(m.interviews).to_string())
                .collect(),
        )
}

/// "yes" when an interval rests on fewer than [`FEW_INTERVIEWS`] interviews (or
/// there is no interval), "no" otherwise.
pub fn few_flag(interviews: usize) -> &'static str {
    if interviews < FEW_INTERVIEWS {
        "yes"
    } else {
        "no"
    }
}

/// Distribution of continuum positions per group: n, mean, median, sd, min, max.
fn continua_groups(
    groups: &[Group],
    specs: &[ContinuumSpec],
    positions: &[Vec<Option<f64>>],
) -> Table {
    let (mut attr, mut group, mut cont) = (Vec::new(), Vec::new(), Vec::new());
    let (mut n, mut mean, mut median, mut sd, mut min, mut max) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for g in groups {
        for (k, c) in specs.iter().enumerate() {
            let mut v: Vec<f64> = g.docs.iter().filter_map(|&d| positions[d][k]).collect();
            v.sort_by(f64::total_cmp);
            attr.push(g.attribute.clone());
            group.push(g.value.clone());
            cont.push(c.id.clone());
            n.push(v.len() as i64);
            let d = describe(&v);
            mean.push(d.0);
            median.push(d.1);
            sd.push(d.2);
            min.push(v.first().copied());
            max.push(v.last().copied());
        }
    }
    Table::new("role_continua_groups")
        .str("attribute", attr)
        .str("group", group)
        .str("continuum", cont)
        .int("interviews", n)
        .float("mean", mean)
        .float("median", median)
        .float("sd", sd)
        .float("min", min)
        .float("max", max)
}

/// Mean, median and sample standard deviation of sorted values (None where undefined).
pub fn describe(sorted: &[f64]) -> (Option<f64>, Option<f64>, Option<f64>) {
    let n = sorted.len();
    if n == 0 {
        return (None, None, None);
    }
    let mean = sorted.iter().sum::<f64>() / n as f64;
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let sd = (n > 1)
        .then(|| (sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
    (Some(mean), Some(median), sd)
}

#[cfg(test)]
mod tests {
    use super::super::tree::tests::small_tree;
    use super::*;

    #[test]
    fn describe_by_hand() {
        assert_eq!(describe(&[]), (None, None, None));
        assert_eq!(describe(&[2.0]), (Some(2.0), Some(2.0), None));
        // mean 2.5, median 2.5, sd sqrt(((1.5^2)*2 + (0.5^2)*2)/3) = sqrt(5/3)
        let (m, med, sd) = describe(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((m, med), (Some(2.5), Some(2.5)));
        assert!((sd.unwrap() - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn tests_and_mix_on_a_tiny_corpus() {
        let mut t = Tally::new(small_tree());
        // nodes: 0 goals, 1 keys, 2 goals.a, 3 keys.k1, 4 keys.k1.s, 5 keys.k2
        for (id, sector, units) in [
            ("A", "public", vec![vec![1], vec![1], vec![3]]),
            ("B", "public", vec![vec![1], vec![0]]),
            ("C", "business", vec![vec![3], vec![3], vec![3, 0]]),
            ("D", "", vec![vec![1]]),
        ] {
            t.begin_doc(id, &[sector.to_string()]);
            for u in units {
                t.add_unit(10, &u);
            }
        }
        let opts = AnalysisOptions {
            by: vec![("sector".into(), 0)],
            mix_family: Some("keys".into()),
            continua: vec![ContinuumSpec {
                id: "k".into(),
                label_he: "".into(),
                label_en: "".into(),
                left: 3,
                right: 5,
            }],
            permutations: 999,
            seed: 7,
        };
        let mut names = Vec::new();
        let a = analyse(&t, &["sector".into()], &opts, |t| {
            names.push(t.name);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(
            names,
            vec![
                "code_by_attribute",
                "interview_by_code",
                "key_mix_interviews",
                "key_mix_groups",
                "role_continua_interviews",
                "role_continua_groups",
                "cooccurrence"
            ]
        );
        // keys by sector, interviews without a sector left out: public k1=3, k2=1; business k1=0, k2=3.
        let keys = a.tests.iter().find(|x| x.family == "keys").unwrap();
        assert_eq!(keys.groups, vec!["public", "business"]);
        assert_eq!(keys.counts, vec![vec![3.0, 1.0], vec![0.0, 3.0]]);
        assert_eq!(keys.permutation.interviews, 3);
        // mix: A k1 2/3, B 1/1, C 0/3 -> public mean of k1 share = (2/3 + 1)/2 = 5/6.
        let m = a
            .mix
            .iter()
            .find(|m| m.group == "public" && m.code_id == "keys.k1")
            .unwrap();
        assert_eq!(m.interviews, 2);
        assert!((m.mean.unwrap() - 5.0 / 6.0).abs() < 1e-12);
        // t interval: sd of {2/3, 1} = sqrt(1/18), half width 12.7062 * sqrt(1/18) / sqrt(2)
        // = 2.1177, clipped to [0, 1].
        assert_eq!((m.ci_low, m.ci_high), (Some(0.0), Some(1.0)));
        // business has one interview (C, k1 share 0): a mean and no interval.
        let c = a
            .mix
            .iter()
            .find(|m| m.group == "business" && m.code_id == "keys.k1")
            .unwrap();
        assert_eq!((c.interviews, c.mean, c.ci_low), (1, Some(0.0), None));
        // continuum k1 (-1) .. k2 (+1): A (1-2)/3, B -1, C +1, D -1.
        let pos: Vec<Option<f64>> = a.positions.iter().map(|p| p[0]).collect();
        assert_eq!(
            pos,
            vec![Some(-1.0 / 3.0), Some(-1.0), Some(1.0), Some(-1.0)]
        );
    }
}
